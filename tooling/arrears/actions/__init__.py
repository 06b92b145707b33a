"""Actions: what to do next about each case (the agenda and the tone it calls for)."""
