"""`arrears serve`: a watch-and-rebuild loop around the build, and the live-reload server."""
