"""The `gotcha` command line: a thin face over kb/ and engine/."""
