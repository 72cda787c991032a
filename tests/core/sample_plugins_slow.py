"""A plugin that works in many small steps, checking for cancellation at each (like a chunked model run)."""

import time

from workbench.core.layers import Curve


def process(audio, params, ctx):
    for i in range(params["steps"]):
        ctx.progress(i / params["steps"], f"step {i}")
        time.sleep(0.01)
    return [Curve(name="slow", times=[0.0], values=[1.0])]
