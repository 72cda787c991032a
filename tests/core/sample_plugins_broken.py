"""A plugin with a bug: the host must report it, not crash."""


def process(audio, params, ctx):
    ctx.progress(0.1, "about to fail")
    return {}["missing key"]
