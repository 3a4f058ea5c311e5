"""Word frequencies of generated text with str.split and collections.Counter (pure Python)."""
from collections import Counter

VOCABULARY = [
    "the", "quick", "brown", "fox", "jumps", "over", "lazy", "dog",
    "python", "thread", "process", "lock", "queue", "core", "cache", "gil",
]
WORDS_PER_DOC = 200
UNITS = 20000  # documents


def generate(doc_id):
    """A document of WORDS_PER_DOC words, the same for the same doc_id."""
    state = doc_id * 7919 + 1
    words = []
    for _ in range(WORDS_PER_DOC):
        state = (state * 1103515245 + 12345) & 0x7FFFFFFF
        words.append(VOCABULARY[state >> 27])
    return " ".join(words)


def work(worker, nworkers, units):
    counts = Counter()
    docs = 0
    for doc_id in range(worker, units, nworkers):
        counts.update(generate(doc_id).split())
        docs += 1
    return docs, counts["gil"]


if __name__ == "__main__":
    import time
    t = time.perf_counter()
    print(work(0, 1, UNITS), time.perf_counter() - t)
