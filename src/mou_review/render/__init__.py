"""Every output format in one place: each module turns results (a DocumentReview, an EvalReport, a
MouDiff, a redline plan, a comparison matrix) into text and knows nothing of files or the CLI.

- `review`: a review as Markdown or a terminal table, and the checklist table
- `evaluation`: evaluation reports as Markdown and terminal tables
- `diff`, `redline`: a version diff and a redline as Markdown
- `html` (Jinja2 templates in `templates/`, autoescaped: MOU text is untrusted): the triage
  index, one page per MOU, the comparison page, and the SVG heatmap
- `tables`: CSV for triage and comparison, the terminal tables of the corpus commands, and the
  rows `search` shows
- `logs`: the LLM audit log as a table and as data
- `as_json`: every command's `--format json` text (reviews, the checklist, diffs, evaluation
  reports, search and similar hits, the store's documents, the LLM log); `cli` only writes it
"""
