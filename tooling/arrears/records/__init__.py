"""Records: the files people write, read and parsed into frozen values with their positions.

`yamlsafe` reads YAML with positions and no surprises, `parse` turns a file
into a Case, Note or Plan (or problems), `settings` reads arrears.toml, `load`
walks the working tree and `gittree` reads the same files from a commit.
`model` holds the dataclasses everything else speaks in.
"""
