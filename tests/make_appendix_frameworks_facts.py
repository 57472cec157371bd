"""Run PyTorch, Keras 3 and optax to record the facts the frameworks appendix states.

The book's CI never imports these frameworks: this script is run by hand in a side
environment that has them (torch 2.13, keras 3.15 with the jax backend, optax 0.2.8)::

    KERAS_BACKEND=jax /work/refvenv/bin/python tests/make_appendix_frameworks_facts.py

and writes ``tests/appendix_frameworks_facts.json``, which
``book/appendix_frameworks.ipynb`` loads and asserts on. Every number is computed in
float64 (torch tensors of dtype float64, ``jax_enable_x64``, Keras schedules evaluated
on float64 steps) so that "equal" means equal to rounding.
"""
import inspect
import json
import os
from pathlib import Path

OUT = Path(__file__).with_name("appendix_frameworks_facts.json")


def main():
    """Run the frameworks and write OUT (imports them here: pytest imports this module for doctests)."""

    os.environ.setdefault("KERAS_BACKEND", "jax")

    import jax

    jax.config.update("jax_enable_x64", True)
    import jax.numpy as jnp
    import keras
    import numpy as np
    import optax
    import torch

    torch.set_default_dtype(torch.float64)


    def torch_steps(make_opt, grads, x0=None):
        """Feed a fixed gradient sequence (T, n) to a torch optimizer; return the updates."""
        grads = np.asarray(grads, dtype=float)
        p = torch.nn.Parameter(torch.zeros(grads.shape[1]) if x0 is None else torch.tensor(x0))
        opt = make_opt([p])
        out = []
        for g in grads:
            before = p.detach().clone()
            p.grad = torch.tensor(g)
            opt.step()
            out.append((p.detach() - before).numpy())
        return np.array(out)


    def optax_steps(tx, grads, x0=None):
        grads = np.asarray(grads, dtype=float)
        x = jnp.zeros(grads.shape[1]) if x0 is None else jnp.asarray(x0)
        state = tx.init(x)
        out = []
        for g in grads:
            u, state = tx.update(jnp.asarray(g), state, x)
            x = optax.apply_updates(x, u)
            out.append(np.asarray(u))
        return np.array(out)


    def rel(a, b):
        return float(np.max(np.abs(a - b) / np.maximum(np.abs(b), 1e-300)))


    facts = {"versions": {"torch": torch.__version__, "keras": keras.__version__,
                          "keras_backend": keras.backend.backend(), "optax": optax.__version__,
                          "jax": jax.__version__}}
    rng = np.random.default_rng(0)
    G = rng.normal(size=(300, 4)) * np.array([1e-3, 0.1, 1.0, 10.0])

    # --- item 30: Keras PolynomialDecay(power=1) == torch LinearLR ------------------------
    lr, sf, ef, T = 0.1, 1 / 3, 1.0, 5
    p = torch.nn.Parameter(torch.zeros(1))
    opt = torch.optim.SGD([p], lr=lr)
    sch = torch.optim.lr_scheduler.LinearLR(opt, start_factor=sf, end_factor=ef, total_iters=T)
    torch_lin = []
    for _ in range(12):
        torch_lin.append(opt.param_groups[0]["lr"])
        opt.step()
        sch.step()
    poly = keras.optimizers.schedules.PolynomialDecay(lr * sf, decay_steps=T, end_learning_rate=lr * ef, power=1.0)
    keras_lin = [float(poly(float(s))) for s in range(12)]
    optax_lin = optax.linear_schedule(lr * sf, lr * ef, transition_steps=T)
    facts["linear_warmup"] = {"torch_LinearLR": torch_lin, "keras_PolynomialDecay": keras_lin,
                              "optax_linear_schedule_max_abs_diff": float(np.max(np.abs(np.array(torch_lin) - [float(optax_lin(s)) for s in range(12)]))),
                              "max_abs_diff": float(np.max(np.abs(np.array(torch_lin) - keras_lin)))}

    # --- item 31: PiecewiseConstantDecay == MultiStepLR only with boundaries m - 1 ---------
    milestones, gamma = [3, 7], 0.1
    p = torch.nn.Parameter(torch.zeros(1))
    opt = torch.optim.SGD([p], lr=lr)
    sch = torch.optim.lr_scheduler.MultiStepLR(opt, milestones=milestones, gamma=gamma)
    torch_ms = []
    for _ in range(10):
        torch_ms.append(opt.param_groups[0]["lr"])
        opt.step()
        sch.step()
    values = [lr, lr * gamma, lr * gamma**2]
    pc_m1 = keras.optimizers.schedules.PiecewiseConstantDecay([m - 1 for m in milestones], values)
    pc_m = keras.optimizers.schedules.PiecewiseConstantDecay(milestones, values)
    optax_pc = optax.piecewise_constant_schedule(lr, {m: gamma for m in milestones})
    facts["multistep"] = {"milestones": milestones, "torch_MultiStepLR": torch_ms,
                          "optax_piecewise_constant": [float(optax_pc(s)) for s in range(10)],
                          "keras_boundaries_m_minus_1": [float(pc_m1(s)) for s in range(10)],
                          "keras_boundaries_m": [float(pc_m(s)) for s in range(10)]}

    # --- item 32: optax.amsgrad is not torch's AMSGrad -----------------------------------
    t_ams = torch_steps(lambda ps: torch.optim.Adam(ps, lr=1e-3, amsgrad=True), G)
    t_adam = torch_steps(lambda ps: torch.optim.Adam(ps, lr=1e-3), G)
    facts["amsgrad"] = {
        "gradients": "rng(0) normal (300, 4) times scales (1e-3, 0.1, 1, 10)",
        "optax_adam_vs_torch_adam_max_rel": rel(optax_steps(optax.adam(1e-3), G), t_adam),
        "optax_amsgrad_vs_torch_max_rel": rel(optax_steps(optax.amsgrad(1e-3), G), t_ams),
        "optax_amsgrad_vs_torch_median_rel":
            float(np.median(np.abs(optax_steps(optax.amsgrad(1e-3), G) - t_ams) / np.abs(t_ams))),
        "optax_amsgrad_nu_uncorrected_vs_torch_max_rel":
            rel(optax_steps(optax.amsgrad(1e-3, bias_correction_nu=False), G), t_ams),
        "optax_amsgrad_paper_form_vs_torch_max_rel":
            rel(optax_steps(optax.amsgrad(1e-3, bias_correction_mu=False, bias_correction_nu=False), G), t_ams),
    }
    # chapter 6: one gradient of 10, then 3000 of 0.1, torch's AMSGrad
    spike = np.concatenate([[10.0], np.full(3000, 0.1)])[:, None]
    u = torch_steps(lambda ps: torch.optim.Adam(ps, lr=1.0, amsgrad=True), spike)[:, 0]
    facts["amsgrad"]["torch_spike_first_step_over_grad"] = float(abs(u[0]) / 10.0)
    facts["amsgrad"]["torch_spike_step_over_grad_last"] = float(abs(u[-1]) / 0.1)

    # --- item 33: optax.adadelta's default learning_rate=None climbs ----------------------
    x = jnp.array([1.0])
    tx = optax.adadelta()                      # learning_rate=None
    state = tx.init(x)
    for _ in range(100):                       # J = x^2 / 2, gradient x
        u, state = tx.update(x, state, x)
        x = optax.apply_updates(x, u)
    facts["adadelta"] = {
        "optax_default_x0": 1.0, "optax_default_x100_on_half_x_squared": float(x[0]),
        "optax_lr1_vs_torch_max_rel": rel(optax_steps(optax.adadelta(learning_rate=1.0), G),
                                          torch_steps(lambda ps: torch.optim.Adadelta(ps, lr=1.0), G)),
        "optax_default_vs_torch_lr1_sign": float(np.sign(optax_steps(optax.adadelta(), G[:1])[0, 2])
                                                 * np.sign(torch_steps(lambda ps: torch.optim.Adadelta(ps), G[:1])[0, 2])),
    }
    # AdaMax: eps inside the max in torch and optax (tiny gradients make eps matter)
    tiny = 1e-9 * rng.normal(size=(200, 3))
    facts["adamax"] = {"optax_vs_torch_tiny_gradients_max_rel":
                       rel(optax_steps(optax.adamax(2e-3), tiny), torch_steps(lambda ps: torch.optim.Adamax(ps), tiny))}

    # --- item 34: torch Adam / NAdam accept decoupled_weight_decay -----------------------
    x0 = np.array([1.0, -2.0, 0.5, 3.0])
    adam_dec = torch_steps(lambda ps: torch.optim.Adam(ps, lr=1e-2, weight_decay=0.1, decoupled_weight_decay=True), G, x0)
    adamw = torch_steps(lambda ps: torch.optim.AdamW(ps, lr=1e-2, weight_decay=0.1), G, x0)
    adam_l2 = torch_steps(lambda ps: torch.optim.Adam(ps, lr=1e-2, weight_decay=0.1), G, x0)
    facts["decoupled_weight_decay"] = {
        "torch_Adam_signature_has_it": "decoupled_weight_decay" in inspect.signature(torch.optim.Adam).parameters,
        "torch_NAdam_signature_has_it": "decoupled_weight_decay" in inspect.signature(torch.optim.NAdam).parameters,
        "torch_Adam_default": inspect.signature(torch.optim.Adam).parameters["decoupled_weight_decay"].default,
        "adam_decoupled_vs_adamw_max_abs": float(np.max(np.abs(adam_dec - adamw))),
        "adam_coupled_vs_adamw_max_abs": float(np.max(np.abs(adam_l2 - adamw))),
    }
    facts["CyclicLR_parameters"] = list(inspect.signature(torch.optim.lr_scheduler.CyclicLR).parameters)
    facts["OneCycleLR_has_total_steps"] = "total_steps" in inspect.signature(torch.optim.lr_scheduler.OneCycleLR).parameters

    # --- defaults quoted in the appendix's table -------------------------------------------
    def defaults(fn, names):
        ps = inspect.signature(fn).parameters
        return {n: ps[n].default for n in names if n in ps}

    facts["defaults"] = {
        "torch.SGD": defaults(torch.optim.SGD, ["lr", "momentum", "dampening", "weight_decay", "nesterov"]),
        "torch.AdamW": defaults(torch.optim.AdamW, ["lr", "weight_decay"]),
        "keras.SGD": defaults(keras.optimizers.SGD, ["learning_rate", "momentum"]),
        "keras.Adadelta": defaults(keras.optimizers.Adadelta, ["learning_rate", "rho", "epsilon"]),
        "keras.AdamW": defaults(keras.optimizers.AdamW, ["learning_rate", "weight_decay"]),
        "optax.adadelta": {k: (None if v is None else v) for k, v in
                           defaults(optax.adadelta, ["learning_rate", "rho", "eps", "weight_decay"]).items()},
        "optax.adamw": defaults(optax.adamw, ["weight_decay"]),
        "optax.adagrad": defaults(optax.adagrad, ["initial_accumulator_value", "eps"]),
        "optax.amsgrad": defaults(optax.amsgrad, ["bias_correction_mu", "bias_correction_nu"]),
    }

    OUT.write_text(json.dumps(facts, indent=1, sort_keys=True) + "\n")
    print(json.dumps(facts, indent=1, sort_keys=True))


if __name__ == "__main__":
    main()
