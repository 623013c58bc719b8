"""Chinese answer understanding: normalisation and intent matching."""
