"""What touches the operating system: the clock, file stats and digests, git, listening
sockets, forked workers. Imports nothing else of foretell but errors and options."""
