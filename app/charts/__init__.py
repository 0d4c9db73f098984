"""Server-rendered SVG: line and bar charts, and the map of NRW. No JavaScript, no CDN.

The renderers are pure (data in, SVG markup out) and return ``markupsafe.Markup`` so templates can
embed them. Every chart carries a ``<title>``/``<desc>`` and the pages show the same figures as a
table (text alternative).
"""
