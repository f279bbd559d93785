"""The few signal filters the mastering chain needs, in numpy alone.

scipy.signal and scipy.ndimage did this before; importing them cost about 0.4 s of
every build. Recursive filters run block-wise as matrix products (see `Iir`), which is
faster than scipy's sample-by-sample loop, and the moving windows keep the edges and
origins of scipy.ndimage's filters, so the limiter's curve is the one it always was.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:
    from numpy.typing import ArrayLike

_BLOCK = 64  # samples per matrix row: the fastest of 16-128 on K-weighting
# Samples filtered at once, at fixed places from the start of the signal: the same
# operations on the same numbers give the same values whatever the pieces' sizes.
SEGMENT = 1 << 16
_SCAN_BLOCK = 16  # block states solved per row at each level of `_Scan`
_SCAN_LOOP = 16  # a recurrence this short is stepped in Python
_DIRECT_SUM = 16  # windows up to this size are summed shift by shift (exact), longer by cumsum
# Matrix products go to OpenBLAS in stacks of this many rows: it keeps products that small
# on one thread. Threaded, they were 100 times slower whenever the other core was busy (the
# encoder, the speech workers, another build), and they would take that core from them.
_ROWS = 32
_PADDING = {"nearest": "edge", "reflect": "symmetric"}  # scipy.ndimage's names, numpy.pad's


def _state_space(sections: Sequence[tuple[ArrayLike, ArrayLike]]) -> tuple[np.ndarray, ...]:
    """(A, B, C, D) of a cascade of second-order sections, each in transposed direct form II."""
    a_m, b_v, c_v, d = np.zeros((0, 0)), np.zeros(0), np.zeros(0), 1.0
    for num, den in sections:
        den_v = np.zeros(3)
        den_v[: len(den)] = den
        num_v = np.zeros(3)
        num_v[: len(num)] = num
        num_v, den_v = num_v / den_v[0], den_v / den_v[0]
        a_s = np.array([[-den_v[1], 1.0], [-den_v[2], 0.0]])
        b_s = num_v[1:] - den_v[1:] * num_v[0]
        n = a_m.shape[0]
        joined = np.zeros((n + 2, n + 2))
        joined[:n, :n], joined[n:, :n], joined[n:, n:] = a_m, np.outer(b_s, c_v), a_s
        a_m, b_v = joined, np.concatenate((b_v, b_s * d))
        c_v, d = np.concatenate((num_v[0] * c_v, [1.0, 0.0])), num_v[0] * d
    return a_m, b_v, c_v, np.float64(d)


def _product(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """a @ b, computed _ROWS rows at a time (in one call)."""
    whole = a.shape[0] // _ROWS * _ROWS
    out = np.empty((a.shape[0], b.shape[1]), np.result_type(a, b))
    np.matmul(a[:whole].reshape(-1, _ROWS, a.shape[1]), b, out=out[:whole].reshape(-1, _ROWS, b.shape[1]))
    np.matmul(a[whole:], b, out=out[whole:])
    return out


class _Scan:
    """Solves s[k+1] = s[k] @ M.T + u[k] (row vectors, float64) for all k at once.

    Rows of _SCAN_BLOCK steps are solved from a zero state by one matrix product; the
    states where rows start form the same recurrence with M**_SCAN_BLOCK, solved the
    same way, until few enough are left to step through.
    """

    def __init__(self, m: np.ndarray) -> None:
        self._m = m
        self._next: _Scan | None = None
        k, n = _SCAN_BLOCK, m.shape[0]
        powers = [np.eye(n)]
        for _ in range(k):
            powers.append(m @ powers[-1])
        # Local state after j+1 steps of a row, from its inputs u[0..j].
        self._local = np.zeros((k * n, k * n))
        for i in range(k):
            for j in range(i, k):
                self._local[i * n : (i + 1) * n, j * n : (j + 1) * n] = powers[j - i].T
        # State j steps into a row, from the state where it starts.
        self._carry = np.concatenate([p.T for p in powers[:k]], axis=1)
        self._row_power = powers[k]

    def __call__(self, u: np.ndarray, start: np.ndarray) -> np.ndarray:
        """The states s[0] = start .. s[len(u)], shape (len(u) + 1, n)."""
        count, n = u.shape
        out = np.empty((count + 1, n))
        out[0] = start
        done = 0
        if count > _SCAN_LOOP:
            k = _SCAN_BLOCK
            rows = count // k
            local = _product(u[: rows * k].reshape(rows, k * n), self._local).reshape(rows, k, n)
            self._next = self._next or _Scan(self._row_power)
            starts = self._next(np.ascontiguousarray(local[:, -1]), start)
            body = _product(starts[:-1], self._carry).reshape(rows, k, n)
            body[:, 1:] += local[:, :-1]
            out[: rows * k] = body.reshape(-1, n)
            done = rows * k
            out[done] = starts[-1]
        mt = self._m.T
        for i in range(done, count):
            out[i + 1] = out[i] @ mt + u[i]
        return out


class Iir:
    """A cascade of second-order sections (b, a) run on a signal given in pieces, in
    float32, within float32 rounding of scipy.signal.lfilter over the whole signal.

    The signal is filtered a SEGMENT at a time, so a piece's output reaches only as far as
    its last whole segment and `flush` gives the rest; in return, any split of the signal
    gives exactly the same values. Each row of _BLOCK samples is filtered from a zero state
    by one matrix product with the truncated impulse response, and its end state is found
    the same way; the states where rows start are a short recurrence (`_Scan`) whose
    effect is added back.
    """

    def __init__(self, sections: Sequence[tuple[ArrayLike, ArrayLike]]) -> None:
        a, b, c, d = _state_space(sections)
        size = _BLOCK
        powers = [np.eye(a.shape[0])]
        for _ in range(size):
            powers.append(a @ powers[-1])
        response = np.array([d] + [c @ p @ b for p in powers[: size - 1]])
        toeplitz = np.zeros((size, size))
        for i in range(size):
            toeplitz[i, i:] = response[: size - i]
        self._to_state = np.stack([powers[size - 1 - i] @ b for i in range(size)])  # (size, n)
        self._local = np.concatenate((toeplitz, self._to_state), axis=1).astype(np.float32)
        self._from_state = np.stack([c @ p for p in powers[:size]], axis=1).astype(np.float32)  # (n, size)
        self._powers = powers
        self._scan = _Scan(powers[size])
        self._state = np.zeros(a.shape[0])
        self._pending = np.zeros(0, np.float32)

    def __call__(self, x: ArrayLike) -> np.ndarray:
        """The output for every whole segment that the signal so far completes."""
        x = np.asarray(x, dtype=np.float32).reshape(-1)
        if self._pending.size:
            x = np.concatenate((self._pending, x))
        whole = x.size // SEGMENT * SEGMENT
        self._pending = x[whole:].copy()
        out = np.empty(whole, np.float32)
        for at in range(0, whole, SEGMENT):
            self._run(x[at : at + SEGMENT], out[at : at + SEGMENT])
        return out

    def flush(self) -> np.ndarray:
        """The output for the rest of the signal, as if it ended here."""
        rest, self._pending = self._pending, np.zeros(0, np.float32)
        out = np.empty(rest.size, np.float32)
        self._run(rest, out)
        return out

    def _run(self, x: np.ndarray, out: np.ndarray) -> None:
        size = _BLOCK
        whole = x.size // size * size
        if whole:
            z = _product(x[:whole].reshape(-1, size), self._local)
            states = self._scan(z[:, size:].astype(np.float64), self._state)
            y = out[:whole].reshape(-1, size)
            np.add(z[:, :size], _product(states[:-1].astype(np.float32), self._from_state), out=y)
            self._state = states[-1]
        rest = x.size - whole
        if rest:
            tail = x[whole:]
            state = self._state.astype(np.float32)
            out[whole:] = tail @ self._local[:rest, :rest] + state @ self._from_state[:, :rest]
            self._state = self._state @ self._powers[rest].T + tail.astype(np.float64) @ self._to_state[size - rest :]


def _padded(x: np.ndarray, size: int, origin: int, mode: str) -> np.ndarray:
    before = size // 2 + origin
    if size < 1 or not 0 <= before < size:
        raise ValueError(f"window of {size} with origin {origin}: the window must hold its own sample")
    return np.pad(x, (before, size - 1 - before), mode=_PADDING[mode])  # type: ignore[call-overload]


def moving_max(x: np.ndarray, size: int, origin: int = 0, mode: str = "reflect") -> np.ndarray:
    """out[i] = max(x[i - size//2 - origin : ... + size]), beyond the ends as `mode` says:
    scipy.ndimage.maximum_filter1d's window, origin and edge modes ("reflect", "nearest")."""
    padded = _padded(np.asarray(x), size, origin, mode)
    width = 1
    while 2 * width <= size:  # padded[i] becomes the max over [i, i + 2 * width)
        padded = np.maximum(padded[:-width], padded[width:])
        width *= 2
    n = np.asarray(x).size
    return np.maximum(padded[:n], padded[size - width : size - width + n])


def moving_mean(x: np.ndarray, size: int, origin: int = 0, mode: str = "nearest") -> np.ndarray:
    """out[i] = mean(x[i - size//2 - origin : ... + size]), beyond the ends as `mode` says:
    scipy.ndimage.uniform_filter1d's window, origin and edge modes; summed in float64."""
    x = np.asarray(x)
    padded = _padded(x.astype(np.float64), size, origin, mode)
    n = x.size
    if size <= _DIRECT_SUM:
        total = padded[:n].copy()
        for k in range(1, size):
            total += padded[k : k + n]
    else:
        sums = np.zeros(padded.size + 1)
        np.cumsum(padded, out=sums[1:])
        total = sums[size:] - sums[:-size]
    total /= size
    return total.astype(x.dtype, copy=False)


def lowpass_fir(taps: int, cutoff: float, beta: float) -> np.ndarray:
    """Kaiser-windowed sinc low-pass, `cutoff` a fraction of Nyquist, unit gain at DC:
    what scipy.signal.firwin(taps, cutoff, window=("kaiser", beta)) designs."""
    m = np.arange(taps) - (taps - 1) / 2.0
    h = cutoff * np.sinc(cutoff * m) * np.kaiser(taps, beta)
    return h / h.sum()
