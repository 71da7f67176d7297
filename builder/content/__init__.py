"""The content: the prediction model, front matter and its schema, Markdown, the loader that
reads content/predictions/, in-place YAML edits and `foretell new`."""
