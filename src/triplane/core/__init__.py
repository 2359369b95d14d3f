"""The pure core: plain Python, no I/O beyond reading packaged data, no framework imports."""
