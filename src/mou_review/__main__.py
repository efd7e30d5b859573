"""`python -m mou_review`: the same as the `mou-review` command."""

from .cli import main

main()
