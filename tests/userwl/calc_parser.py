"""A small recursive-descent calculator: tokenizes and evaluates arithmetic (classes, pure Python)."""
import re

_TOKEN = re.compile(r"\s*(?:(\d+)|(.))")


class Token:
    __slots__ = ("kind", "value")

    def __init__(self, kind, value):
        self.kind = kind
        self.value = value


class Lexer:
    def __init__(self, text):
        self.tokens = []
        for number, op in _TOKEN.findall(text):
            if number:
                self.tokens.append(Token("num", int(number)))
            else:
                self.tokens.append(Token("op", op))
        self.tokens.append(Token("end", None))


class Parser:
    def __init__(self, lexer):
        self.tokens = lexer.tokens
        self.pos = 0

    def peek(self):
        return self.tokens[self.pos]

    def take(self):
        tok = self.tokens[self.pos]
        self.pos += 1
        return tok

    def parse(self):
        value = self.expr()
        if self.peek().kind != "end":
            raise SyntaxError("trailing input")
        return value

    def expr(self):
        value = self.term()
        while self.peek().value in ("+", "-"):
            if self.take().value == "+":
                value += self.term()
            else:
                value -= self.term()
        return value

    def term(self):
        value = self.factor()
        while self.peek().value in ("*", "/"):
            if self.take().value == "*":
                value *= self.factor()
            else:
                value //= self.factor() or 1
        return value

    def factor(self):
        tok = self.take()
        if tok.value == "(":
            value = self.expr()
            self.take()  # ")"
            return value
        if tok.value == "-":
            return -self.factor()
        return tok.value


def expression(i):
    return f"({i} + 3) * {i % 7 + 1} - {i % 5} / 2 + (({i % 11} - 4) * -2)"


def run_benchmark(worker, nworkers, units):
    """Parses and evaluates this worker's expressions; returns how many."""
    done = 0
    for i in range(worker, units, nworkers):
        Parser(Lexer(expression(i))).parse()
        done += 1
    return done


async def awork(worker, nworkers, units):
    # Declared async, but it never awaits: it blocks the event loop.
    return run_benchmark(worker, nworkers, units)
