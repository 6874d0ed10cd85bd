"""Engine layer: running notebooks and publishing their files, generic over what they report.

Render (papermill, nbconvert, WeasyPrint), forked kernels from a warm template, the batch of
worker processes with its manifest, atomic publishing, the lifecycle of child processes. Imports
only the base layer: what to preload or run is handed in by the commands."""
