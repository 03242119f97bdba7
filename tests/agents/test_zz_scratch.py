import os
from tests.agents.conftest import Talk

MSGS = os.environ.get("SCRATCH_MSGS", "").split("|")


def test_scratch(demo, talk_as):
    for who_msgs in MSGS:
        if not who_msgs.strip():
            continue
        who, _, rest = who_msgs.partition(":")
        t: Talk = talk_as(who.strip())
        for m in rest.split(";;"):
            print(f"\n>>> [{who}] {m}\n{t(m)}")
