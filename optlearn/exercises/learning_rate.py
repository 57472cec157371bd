"""Exercises of chapter 2, *The learning rate and its schedules*.

Questions:
    q1: write the step-decay schedule, as torch's StepLR (function).
    q2: write cosine annealing, as torch's CosineAnnealingLR (function).
    q3: write a linear warmup factor, as torch's LinearLR (function).
    q4: the lr after 250 updates of a step decay (value).
    q5: the sum of the lrs of a cosine schedule over its 100 steps (value).
    q6: why warm up the learning rate (multiple choice).

QUIZ: the website's quiz.
"""

from __future__ import annotations

import numpy as np

import optlearn as ol
from optlearn.exercises._core import (
    Case, FunctionExercise, Mistake, MultipleChoiceExercise, Option, ValueExercise,
)

__all__ = ["QUIZ", "q1", "q2", "q3", "q4", "q5", "q6"]


def step_decay(count, lr, step_size, gamma):
    return lr * gamma ** (count // step_size)


q1 = FunctionExercise(
    "learning_rate.q1",
    """
    Write the step-decay schedule, as `torch.optim.lr_scheduler.StepLR`: the learning rate for
    update `count` (0, 1, 2, ...) starts at `lr` and is multiplied by `gamma` every `step_size`
    updates. Return a float.
    """,
    step_decay,
    [
        Case("first update", (0, 0.1, 10, 0.5)),
        Case("past half a block", (6, 0.1, 10, 0.5)),
        Case("just before the first decay", (9, 0.1, 10, 0.5)),
        Case("at the first decay", (10, 0.1, 10, 0.5)),
        Case("many decays", (1005, 1.0, 100, 0.5)),
        Case("gamma = 1", (37, 0.3, 5, 1.0)),
    ],
    expected=lambda count, lr, step_size, gamma: float(ol.schedules.step_decay(lr, step_size, gamma)(count)),
    returns="a float",
    hints=["How many complete blocks of step_size updates have passed after count updates?",
           "That is count // step_size (integer division).",
           "return lr * gamma ** (count // step_size)"],
    mistakes=[
        Mistake("a smooth exponential decay",
                      "count / step_size decays a little at every step; step decay waits for whole "
                      "blocks: count // step_size.", lambda c, lr, s, g: lr * g ** (c / s)),
        Mistake("an off-by-one in the count",
                      "count starts at 0 and the first decay happens at count = step_size: "
                      "use count // step_size, not (count + 1) // step_size.",
                      lambda c, lr, s, g: lr * g ** ((c + 1) // s)),
        Mistake("rounding instead of counting whole blocks",
                "round(count / step_size) decays half a block early; the number of completed blocks "
                "is count // step_size.", lambda c, lr, s, g: lr * g ** round(c / s)),
        Mistake("a decay at every update", "gamma ** count decays every step; decay once per "
                      "block of step_size updates.", lambda c, lr, s, g: lr * g ** c),
    ],
)


def cosine_annealing(count, lr, T_max, eta_min):
    return eta_min + (lr - eta_min) * (1 + np.cos(np.pi * count / T_max)) / 2


q2 = FunctionExercise(
    "learning_rate.q2",
    """
    Write cosine annealing, as `CosineAnnealingLR`: from `lr` at `count = 0` down to `eta_min` at
    `count = T_max` along half a cosine. Return a float.
    """,
    cosine_annealing,
    [
        Case("first update", (0, 0.1, 100, 0.0)),
        Case("a quarter in", (25, 0.1, 100, 0.0)),
        Case("half-way, with eta_min", (50, 0.1, 100, 0.001)),
        Case("the end", (100, 0.1, 100, 0.001)),
        Case("near the end", (90, 1.0, 100, 0.2)),
    ],
    expected=lambda count, lr, T_max, eta_min: float(ol.schedules.cosine_annealing(lr, T_max, eta_min)(count)),
    returns="a float",
    hints=["(1 + cos(pi * count / T_max)) / 2 goes from 1 to 0 as count goes from 0 to T_max.",
           "Scale that factor to the interval [eta_min, lr]."],
    mistakes=[
        Mistake("cosine annealing without eta_min",
                      "the cosine interpolates between lr and eta_min: eta_min + (lr - eta_min) * factor.",
                      lambda c, lr, T, e: lr * (1 + np.cos(np.pi * c / T)) / 2),
        Mistake("a factor without the 1/2",
                      "(1 + cos) goes from 2 to 0; halve it so that the schedule starts at lr.",
                      lambda c, lr, T, e: e + (lr - e) * (1 + np.cos(np.pi * c / T))),
    ],
)


def linear_warmup(count, lr, start_factor, total_iters):
    frac = min(count, total_iters) / total_iters
    return lr * (start_factor + (1 - start_factor) * frac)


q3 = FunctionExercise(
    "learning_rate.q3",
    """
    Write a linear warmup, as `LinearLR` with `end_factor=1`: the learning rate is
    `lr * start_factor` at `count = 0`, grows linearly, reaches `lr` at `count = total_iters` and
    stays there. Return a float.
    """,
    linear_warmup,
    [
        Case("first update", (0, 0.1, 0.1, 10)),
        Case("mid-warmup", (4, 0.1, 0.1, 10)),
        Case("end of warmup", (10, 0.1, 0.1, 10)),
        Case("after the warmup", (500, 0.1, 0.1, 10)),
        Case("start_factor 1/3", (2, 1.0, 1 / 3, 5)),
    ],
    expected=lambda count, lr, start_factor, total_iters: float(ol.schedules.linear_warmup(
        lr, start_factor=start_factor, end_factor=1.0, total_iters=total_iters)(count)),
    returns="a float",
    hints=["The factor is start_factor + (1 - start_factor) * t / total_iters ...",
           "... with t = min(count, total_iters), so it stops at 1."],
    mistakes=[
        Mistake("a warmup that never stops",
                      "clip the count at total_iters, otherwise the lr keeps growing past lr.",
                      lambda c, lr, s, T: lr * (s + (1 - s) * c / T)),
        Mistake("a warmup from zero",
                      "the first lr is lr * start_factor, not 0.",
                      lambda c, lr, s, T: lr * min(c, T) / T),
    ],
)

q4 = ValueExercise(
    "learning_rate.q4",
    """
    `StepLR` with `lr = 0.1`, `step_size = 100`, `gamma = 0.5`: which learning rate is used for update
    number 250 (`count = 250`)?
    """,
    lambda: float(ol.schedules.step_decay(0.1, step_size=100, gamma=0.5)(250)),
    """
    answer = float(ol.schedules.step_decay(0.1, step_size=100, gamma=0.5)(250))   # 0.1 * 0.5 ** (250 // 100)
    """,
    digits=3,
    hints=["How many complete blocks of 100 updates are there in 250?"],
    mistakes=[
        Mistake("a smooth exponential decay", "step decay only counts complete blocks: "
                "0.5 ** (250 // 100), not 0.5 ** 2.5.", 0.1 * 0.5 ** 2.5),
        Mistake("rounding up the number of decays", "250 // 100 = 2 decays, not 3.", 0.1 * 0.5**3),
    ],
)

_SUM = float(np.sum(ol.schedules.cosine_annealing(1.0, T_max=100)(np.arange(100))))

q5 = ValueExercise(
    "learning_rate.q5",
    """
    Cosine annealing with `lr = 1`, `T_max = 100`, `eta_min = 0`: what is the sum of the learning
    rates of the updates `count = 0, 1, ..., 99`? (It is the total "distance budget", compared with
    100 for a constant learning rate.)
    """,
    lambda: _SUM,
    f"""
    sched = ol.schedules.cosine_annealing(1.0, T_max=100)
    answer = float(np.sum(sched(np.arange(100))))   # {_SUM:.6g}: the cosines of t and 100 - t cancel, count 0 adds 1/2
    """,
    digits=4,
    hints=["Pair the terms count and 100 - count: their cosines cancel.",
           "Each term is (1 + cos)/2, so the sum is 100/2 plus half the unpaired cos(0) = 1."],
    mistakes=[
        Mistake("the integral of the schedule",
                "the continuous average of (1 + cos)/2 gives 50, but the sum of the 100 discrete "
                "values also counts the first update at the full lr: 50.5.", 50.0),
        Mistake("the sum over count = 1, ..., 100",
                "the updates are count = 0, ..., 99: the first one uses the full lr (1), the last "
                "one is not count = 100 (lr 0).",
                float(np.sum(ol.schedules.cosine_annealing(1.0, T_max=100)(np.arange(1, 101))))),
        Mistake("a constant learning rate", "the cosine spends on average half the lr.", 100.0),
    ],
)

q6 = MultipleChoiceExercise(
    "learning_rate.q6",
    "Why do many training recipes start with a few hundred updates of linear warmup?",
    {
        "a": Option("Because a small lr finds a better minimum at the end of training.", False,
                    "Warmup is about the beginning of training; the end is handled by the decay."),
        "b": Option("Early gradients and adaptive statistics are unreliable, and a full lr can "
                    "blow training up before they settle.", True,
                    "The first steps move fast through steep, badly conditioned regions, and Adam's "
                    "second-moment estimate comes from very few gradients."),
        "c": Option("Warmup makes each update cheaper to compute.", False,
                    "The cost of an update does not depend on the lr."),
        "d": Option("It is needed for the cosine schedule to be differentiable.", False,
                    "A schedule is never differentiated; it only sets the lr."),
    },
    hints=["What is different about the very first updates of a training run?"],
)

# ----------------------------------------------------------------------------- quiz
QUIZ = [
    ValueExercise(
        "learning_rate.quiz1", "StepLR with lr = 0.5, step_size = 30, gamma = 0.1: which lr is used at count = 65?",
        lambda: float(ol.schedules.step_decay(0.5, step_size=30, gamma=0.1)(65)), "answer = 0.5 * 0.1 ** 2",
        digits=3, explanation="0.5 * 0.1 ** (65 // 30) = 0.005.",
        mistakes=[
            Mistake("one decay too many", "65 // 30 = 2 decays, not 3.", 0.0005),
            Mistake("one decay too few", "65 // 30 = 2 decays, not 1.", 0.05),
        ]),
    ValueExercise(
        "learning_rate.quiz2", "Cosine annealing from lr = 0.1 with T_max = 100 and eta_min = 0.01: the lr "
        "at count = 50?", lambda: float(ol.schedules.cosine_annealing(0.1, T_max=100, eta_min=0.01)(50)),
        "answer = 0.01 + (0.1 - 0.01) / 2", digits=3, explanation="eta_min + (lr - eta_min) / 2 = 0.055.",
        mistakes=[Mistake("cosine annealing without eta_min", "half-way between lr and eta_min, not "
                          "between lr and 0.", 0.05)]),
    q6,
]
