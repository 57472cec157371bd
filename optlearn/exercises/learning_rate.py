"""Exercises of chapter 2, *The learning rate and its schedules*.

Questions:
    q1: write the step-decay schedule, as torch's StepLR (function).
    q2: write cosine annealing, as torch's CosineAnnealingLR (function).
    q3: write a linear warmup factor, as torch's LinearLR (function).
    q4: the lr after 250 updates of a step decay (value).
    q5: the sum of the lrs of a cosine schedule over its 100 steps (value).
    q6: why warm up the learning rate (multiple choice).
"""

from __future__ import annotations

import math

import numpy as np

import optlearn as ol
from optlearn.exercises._core import (
    Case, FunctionExercise, Misconception, MultipleChoiceExercise, Option, ValueExercise,
)

__all__ = ["q1", "q2", "q3", "q4", "q5", "q6"]


def step_decay(count, lr, step_size, gamma):
    """Reference: lr times gamma once per completed block of step_size updates."""
    return lr * gamma ** (count // step_size)


q1 = FunctionExercise(
    "learning_rate.q1",
    """
    Write the step-decay schedule: the learning rate after `count` updates
    (count = 0, 1, 2, ...) starts at lr and is multiplied by gamma every
    step_size updates, as torch.optim.lr_scheduler.StepLR. Return a float.
    """,
    "step_decay(count, lr, step_size, gamma)", step_decay,
    lambda count, lr, step_size, gamma: ol.schedules.step_decay(lr, step_size, gamma)(count),
    [
        Case("first update", (0, 0.1, 10, 0.5)),
        Case("just before the first decay", (9, 0.1, 10, 0.5)),
        Case("at the first decay", (10, 0.1, 10, 0.5)),
        Case("many decays", (1005, 1.0, 100, 0.5)),
        Case("gamma = 1", (37, 0.3, 5, 1.0)),
    ],
    hints=["How many complete blocks of step_size updates have passed after count updates?",
           "That is count // step_size (integer division).",
           "return lr * gamma ** (count // step_size)"],
    misconceptions=[
        Misconception("a smooth exponential decay",
                      "count / step_size decays a little at every step; step decay waits for whole "
                      "blocks: count // step_size.", lambda c, lr, s, g: lr * g ** (c / s)),
        Misconception("an off-by-one in the count",
                      "count starts at 0 and the first decay happens at count = step_size: "
                      "use count // step_size, not (count + 1) // step_size.",
                      lambda c, lr, s, g: lr * g ** ((c + 1) // s)),
        Misconception("a decay at every update", "gamma ** count decays every step; decay once per "
                      "block of step_size updates.", lambda c, lr, s, g: lr * g ** c),
    ],
)


def cosine_annealing(count, lr, T_max, eta_min):
    """Reference: half a cosine from lr (count = 0) down to eta_min (count = T_max)."""
    return eta_min + (lr - eta_min) * (1 + math.cos(math.pi * count / T_max)) / 2


q2 = FunctionExercise(
    "learning_rate.q2",
    """
    Write cosine annealing: the lr goes from lr at count = 0 down to eta_min
    at count = T_max along half a cosine, as CosineAnnealingLR. Return a float.
    """,
    "cosine_annealing(count, lr, T_max, eta_min)", cosine_annealing,
    lambda count, lr, T_max, eta_min: ol.schedules.cosine_annealing(lr, T_max, eta_min)(count),
    [
        Case("first update", (0, 0.1, 100, 0.0)),
        Case("a quarter in", (25, 0.1, 100, 0.0)),
        Case("half-way, with eta_min", (50, 0.1, 100, 0.001)),
        Case("the end", (100, 0.1, 100, 0.001)),
        Case("near the end", (90, 1.0, 100, 0.2)),
    ],
    hints=["(1 + cos(pi * count / T_max)) / 2 goes from 1 to 0 as count goes from 0 to T_max.",
           "Scale that factor to the interval [eta_min, lr]."],
    misconceptions=[
        Misconception("cosine annealing without eta_min",
                      "the cosine interpolates between lr and eta_min: eta_min + (lr - eta_min) * factor.",
                      lambda c, lr, T, e: lr * (1 + math.cos(math.pi * c / T)) / 2),
        Misconception("a factor without the 1/2",
                      "(1 + cos) goes from 2 to 0; halve it so that the schedule starts at lr.",
                      lambda c, lr, T, e: e + (lr - e) * (1 + math.cos(math.pi * c / T))),
    ],
)


def linear_warmup(count, lr, start_factor, total_iters):
    """Reference: the factor ramps linearly from start_factor to 1 over total_iters updates."""
    frac = min(count, total_iters) / total_iters
    return lr * (start_factor + (1 - start_factor) * frac)


q3 = FunctionExercise(
    "learning_rate.q3",
    """
    Write a linear warmup, as torch's LinearLR with end_factor = 1: the lr is
    lr * start_factor at count = 0, grows linearly, reaches lr at
    count = total_iters and stays there. Return a float.
    """,
    "linear_warmup(count, lr, start_factor, total_iters)", linear_warmup,
    lambda count, lr, start_factor, total_iters: ol.schedules.linear_warmup(
        lr, start_factor=start_factor, end_factor=1.0, total_iters=total_iters)(count),
    [
        Case("first update", (0, 0.1, 0.1, 10)),
        Case("mid-warmup", (4, 0.1, 0.1, 10)),
        Case("end of warmup", (10, 0.1, 0.1, 10)),
        Case("after the warmup", (500, 0.1, 0.1, 10)),
        Case("start_factor 1/3", (2, 1.0, 1 / 3, 5)),
    ],
    hints=["The factor is start_factor + (1 - start_factor) * t / total_iters ...",
           "... with t = min(count, total_iters), so it stops at 1."],
    misconceptions=[
        Misconception("a warmup that never stops",
                      "clip the count at total_iters, otherwise the lr keeps growing past lr.",
                      lambda c, lr, s, T: lr * (s + (1 - s) * c / T)),
        Misconception("a warmup from zero",
                      "the first lr is lr * start_factor, not 0.",
                      lambda c, lr, s, T: lr * min(c, T) / T),
    ],
)

q4 = ValueExercise(
    "learning_rate.q4",
    """
    StepLR with lr = 0.1, step_size = 100, gamma = 0.5: which learning rate
    is used for update number 250 (count = 250)? Give a number.
    """,
    lambda: ol.schedules.step_decay(0.1, step_size=100, gamma=0.5)(250),
    """
    ol.schedules.step_decay(0.1, step_size=100, gamma=0.5)(250)   # 0.1 * 0.5 ** (250 // 100) = 0.025
    """,
    hints=["How many complete blocks of 100 updates are there in 250?"],
    misconceptions=[
        Misconception("a smooth exponential decay", "step decay only counts complete blocks: "
                      "0.5 ** (250 // 100), not 0.5 ** 2.5.", 0.1 * 0.5 ** 2.5),
        Misconception("rounding up the number of decays", "250 // 100 = 2 decays, not 3.", 0.0125),
    ],
)

q5 = ValueExercise(
    "learning_rate.q5",
    """
    Cosine annealing with lr = 1, T_max = 100, eta_min = 0. What is the sum
    of the learning rates of the updates count = 0, 1, ..., 99?
    (It is the total 'distance budget' compared with a constant lr.) Give 4 significant digits.
    """,
    lambda: float(np.sum(ol.schedules.cosine_annealing(1.0, T_max=100)(np.arange(100)))),
    """
    sched = ol.schedules.cosine_annealing(1.0, T_max=100)
    total = np.sum(sched(np.arange(100)))   # 50.5: the cosines of t and 100 - t cancel, count 0 adds 1/2
    """,
    hints=["Pair the terms count and 100 - count: their cosines cancel.",
           "Each term is (1 + cos)/2, so the sum is 100/2 plus half the unpaired cos(0) = 1."],
    misconceptions=[
        Misconception("the integral of the schedule",
                      "the continuous average of (1 + cos)/2 gives 50, but the sum of the 100 discrete "
                      "values also counts the first update at the full lr: 50.5.", 50.0),
        Misconception("a constant learning rate", "the cosine spends on average half the lr.", 100.0),
    ],
    rtol=1e-4,
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
