"""Item pipelines, in order: clean (validate, normalise, hash) -> dedup (link, content, cross-posts) -> warehouse."""
