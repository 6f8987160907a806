"""The only package that imports delta: table paths, Delta reads and writes, the manifest."""
