"""Our spaCy pipeline and the components we add to it."""
