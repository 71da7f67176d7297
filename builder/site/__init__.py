"""The site of one build: predictions grouped into categories, tags and authors, with every
status computed once from today, and the URLs between pages."""
