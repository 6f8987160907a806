"""The planted population: classes and affinity (pure Python), users, products and labels."""
