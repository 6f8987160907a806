"""Reading recommendations, labelling them with the hidden classes, and measuring affinity."""
