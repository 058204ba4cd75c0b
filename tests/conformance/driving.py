"""What the drivers of clients without retries share (imported from the driver's own folder)."""


def expect_refusal(call, error_type, probe, out):
    """The sandbox refuses the next API call with `probe` (429 or 503): the client must raise its own
    `error_type` for it, printed as step "refused"; a call that succeeds fails the run."""
    try:
        call()
    except error_type as exc:
        out("refused", type=type(exc).__name__, error=str(exc), response=exc.response)
    else:
        raise RuntimeError(f"the sandbox's {probe} was not reported: the call succeeded")
