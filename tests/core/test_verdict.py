from apiward.core import Action, Category, DecisionPolicy, Finding, Mode, decide


def f(score: float, category: Category = Category.SQLI, **kw) -> Finding:
    return Finding(stage="t", category=category, location="query.q", score=score, **kw)


def test_no_findings_allows() -> None:
    v = decide([], DecisionPolicy())
    assert v.action is Action.ALLOW and not v.interrupts and v.status == 200


def test_threshold_blocks_and_logs() -> None:
    policy = DecisionPolicy(block_threshold=0.5, log_threshold=0.2)
    assert decide([f(0.49)], policy).action is Action.LOG
    assert decide([f(0.1)], policy).action is Action.ALLOW
    v = decide([f(0.1), f(0.9, Category.XSS)], policy)
    assert v.action is Action.BLOCK and v.status == 403 and v.cause is not None
    assert v.cause.category is Category.XSS and v.reason == "xss in query.q"


def test_per_category_threshold() -> None:
    policy = DecisionPolicy(block_threshold=0.5, thresholds={Category.XSS: 0.95})
    assert decide([f(0.9, Category.XSS)], policy).action is Action.LOG
    assert decide([f(0.9, Category.SQLI)], policy).action is Action.BLOCK


def test_explicit_action_and_status_win() -> None:
    throttle = f(0.0, Category.RATE_LIMIT, action=Action.THROTTLE, retry_after=7.0)
    v = decide([throttle], DecisionPolicy())
    assert v.action is Action.THROTTLE and v.status == 429 and v.retry_after == 7.0
    authn = f(1.0, Category.AUTHN, action=Action.BLOCK, status=401)
    v = decide([throttle, authn], DecisionPolicy())
    assert v.action is Action.BLOCK and v.status == 401 and v.retry_after is None


def test_monitor_mode_records_but_does_not_interrupt() -> None:
    v = decide([f(0.99)], DecisionPolicy(), Mode.MONITOR)
    assert v.action is Action.BLOCK and not v.enforced and not v.interrupts
