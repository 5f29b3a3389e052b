#!/usr/bin/env python3
"""Trains the English sentence model of the offline analyzer and writes
src/analyze/offline/lexicon/en-model.tsv.

Data: the human-rated sentences that ship with the VADER package (vaderSentiment 3.3.2 on PyPI, MIT):
`pip download --no-deps --no-binary :all: vaderSentiment==3.3.2`, unpack it, then unpack
`additional_resources/hutto_ICWSM_2014.tar.gz` and run `python3 tools/train-sentiment.py DIR` on the folder
it makes. Two of its four sets are used: movie-review snippets (10,605) and tweets (4,200), each sentence
rated -4..4 by 20 people. New York Times editorial snippets (politics: "charges", "attack") made product
reviews score worse and are left out (`SETS=...` overrides). The package's Amazon review snippets are never
read: they include the products held back to measure the analyzer. Their development split, the three
products in ../shared/data/eval/sentiment-snippets (SNIPPETS below), is.

The shipped file: `SNIPPETS=../shared/data/eval UCI=package/test/fixtures python3 tools/train-sentiment.py DIR`.

Model: linear regression of the mean rating / 4 on the sentence's word unigrams (marked when a negator
precedes them within three tokens) and bigrams (with sentence start and end marks), features seen in at
least 3 sentences, plain SGD for 12 epochs with a decaying step, seeded: the same data gives the same file. Tokens are made exactly as src/analyze/offline/text.rs makes them.
With UCI set, also the 3,000 review sentences labelled positive or negative described at UCI below.
Prints the correlation on a 10 % split the training never saw.
"""
import collections, csv, json, math, os, random, sys

SETS = os.environ.get("SETS", "movieReviewSnippets,tweets").split(",")
# UCI "Sentiment Labelled Sentences" (Kotzias et al., KDD 2015; CC BY 4.0), as shipped in the test
# fixtures of the npm package `sentiment` 5.0.2 (MIT): `npm pack sentiment@5.0.2`, unpack, and set
# UCI=package/test/fixtures. 3,000 sentences from Amazon (phones), Yelp and IMDb reviews.
UCI = os.environ.get("UCI")
UCI_SETS = ("amazon", "yelp", "imdb")
# The development split of the product-review snippets (../shared/data/eval, VADER's ratings, MIT): set
# SNIPPETS=../shared/data/eval. Only that split, which the data's README allows tuning on, is read: never
# amazonReviewSnippets_GroundTruth.txt of the VADER package, which also holds the products held back for
# acceptance. Leave-one-product-out, these sentences raise the snippet scores on the product left out.
SNIPPETS = os.environ.get("SNIPPETS")
MIN_COUNT = 3
EPOCHS = 12
OUT = os.path.join(os.path.dirname(__file__), "..", "src", "analyze", "offline", "lexicon", "en-model.tsv")


def is_emoji(c):
    o = ord(c)
    return 0x2600 <= o <= 0x27BF or 0x1F300 <= o <= 0x1FAFF or o == 0x2B50


def tokens(s):
    """text.rs `tokens`: lowercase alphanumeric runs, apostrophes inside words, each emoji a token."""
    out, cur = [], []
    chars = list(s)
    for i, c in enumerate(chars):
        if c == "\u2019":
            c = "'"
        if c.isalnum():
            cur.append(c.lower())
        elif c == "'" and cur and i + 1 < len(chars) and chars[i + 1].isalpha():
            cur.append("'")
        else:
            if cur:
                out.append("".join(cur))
                cur = []
            if is_emoji(c):
                out.append(c)
    if cur:
        out.append("".join(cur))
    return out


NEGATORS = {"not", "no", "never", "nothing", "none", "nobody", "without", "cannot"}
SCOPE = 3


def negator(t):
    return t in NEGATORS or t.endswith("n't")


def features(toks):
    """model.rs `score`: each token (marked `!` within three tokens after a negator: "no problems"
    is not "problems"), and each pair of neighbours with <s> and </s> at the ends."""
    f, prev, scope = set(), "<s>", 0
    for t in toks:
        f.add("!" + t if scope > 0 else t)
        f.add(prev + " " + t)
        prev = t
        scope = SCOPE if negator(t) else max(0, scope - 1)
    f.add(prev + " </s>")
    return f


def main():
    src = sys.argv[1]
    data = []
    for name in SETS:
        with open(os.path.join(src, name + "_GroundTruth.txt"), encoding="utf-8", errors="replace") as fh:
            for line in fh:
                parts = line.rstrip("\n").split("\t")
                if len(parts) >= 3:
                    try:
                        data.append((parts[2], float(parts[1]) / 4))
                    except ValueError:
                        pass
    if SNIPPETS:
        gold = {}
        with open(os.path.join(SNIPPETS, "sentiment-snippets.gold.tsv"), encoding="utf-8") as fh:
            for row in csv.DictReader(fh, delimiter="\t"):
                gold[row["review_id"]] = float(row["human_mean"])
        with open(os.path.join(SNIPPETS, "sentiment-snippets.jsonl"), encoding="utf-8") as fh:
            for line in fh:
                r = json.loads(line)
                data.append((r["CUSTOMER_REVIEW_DESCRIPTION"], gold[r["REVIEW_ID"]] / 4))
    if UCI:
        # Labelled only positive or negative: each gets the mean strength of the rated sentences
        # that people found positive or negative.
        polar = [abs(y) for _, y in data if abs(y) > 0.05 / 4]
        strength = sum(polar) / len(polar)
        for name in UCI_SETS:
            with open(os.path.join(UCI, name + ".json"), encoding="utf-8") as fh:
                for r in json.load(fh):
                    if r.get("text", "").strip() and r.get("class") in (0, 1):
                        data.append((r["text"], strength if r["class"] == 1 else -strength))
    random.seed(1)
    random.shuffle(data)
    xs = [features(tokens(t)) for t, _ in data]
    ys = [y for _, y in data]
    counts = collections.Counter(f for x in xs for f in x)
    xs = [sorted(f for f in x if counts[f] >= MIN_COUNT) for x in xs]
    split = int(len(xs) * 0.9)
    w, bias, step = collections.defaultdict(float), 0.0, 0.05
    for _ in range(EPOCHS):
        order = list(range(split))
        random.shuffle(order)
        for i in order:
            err = bias + sum(w[f] for f in xs[i]) - ys[i]
            bias -= step * err * 0.1
            for f in xs[i]:
                w[f] -= step * err
        step *= 0.7
    pred = [bias + sum(w[f] for f in x) for x in xs[split:]]
    gold = ys[split:]
    mp, mg = sum(pred) / len(pred), sum(gold) / len(gold)
    r = sum((p - mp) * (g - mg) for p, g in zip(pred, gold)) / math.sqrt(
        sum((p - mp) ** 2 for p in pred) * sum((g - mg) ** 2 for g in gold)
    )
    kept = sorted((f, v) for f, v in w.items() if abs(v) >= 0.001)
    with open(OUT, "w", encoding="utf-8") as out:
        names = SETS + (["the development split of ../shared/data/eval/sentiment-snippets"] if SNIPPETS else [])
        out.write(f"# Written by tools/train-sentiment.py from VADER's human-rated sentences: {', '.join(names)}\n")
        out.write("# (vaderSentiment 3.3.2, MIT; Hutto & Gilbert, ICWSM 2014)")
        if UCI:
            out.write(" and UCI Sentiment Labelled Sentences\n# (Kotzias et al. 2015, CC BY 4.0; npm `sentiment` 5.0.2)")
        out.write(". Linear weights of unigrams\n")
        out.write(f"# (! = negated) and bigrams on the rating / 4; {len(data)} sentences, held-out r {r:.3f}.\n")
        out.write(f"<bias>\t{bias:.4f}\n")
        for f, v in kept:
            out.write(f"{f}\t{v:.4f}\n")
    print(f"{len(data)} sentences, {len(kept)} features kept, held-out r = {r:.3f} -> {OUT}")


if __name__ == "__main__":
    main()
