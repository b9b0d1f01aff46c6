"""Views of the systems app: the register (:mod:`.registry`) and access reviews (:mod:`.reviews`)."""
