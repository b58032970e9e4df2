"""HTTP handlers of the feedback module: citizens, the public, moderators, agency officers."""
