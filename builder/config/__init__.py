"""site.yaml: the typed site configuration, the field readers that collect every problem with
its file and line, the URL rule, and YAML with positions."""
