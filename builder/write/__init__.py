"""Writing the output: changed files staged and moved in at once, and only files a build
recorded writing ever deleted."""
