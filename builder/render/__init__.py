"""Everything the build writes, made from the Site: pages through the theme's templates, feeds,
calendars, the sitemap, charts, the theme's assets and the JSON files."""
