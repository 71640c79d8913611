"""NoSQL operator injection (MongoDB query operators in JSON or bracket syntax, ``$where``
JavaScript) and LDAP filter injection (filter breakouts, wildcards, always-true clauses)."""

from __future__ import annotations

import random

from apiward.ml.generators.base import Sample, chance, encode_layer, pick, rand_ident


_OPS = ("$ne", "$gt", "$gte", "$lt", "$regex", "$where", "$exists", "$nin", "$in", "$or", "$and", "$not", "$expr", "$elemMatch", "$function", "$accumulator", "$lookup", "$eq")


def _nosql(rng: random.Random) -> tuple[str, str]:
    op = pick(rng, _OPS)
    field = pick(rng, ("username", "password", "user", "email", "login", "token", "id", rand_ident(rng)))
    value = pick(rng, ('""', "null", "1", '"a"', "true", '".*"', '"^a"', "[]", "0", '{"$ne":1}'))
    roll = rng.random()
    if roll < 0.3:
        return "json", f'{{"{field}":{{"{op}":{value}}}}}' if op not in ("$or", "$and") else f'{{"{op}":[{{"{field}":{{"$ne":null}}}},{{"{rand_ident(rng)}":{{"$gt":""}}}}]}}'
    if roll < 0.45:
        return "json", f'{{"{op}":{value}}}'
    if roll < 0.6:
        return "bracket", f"{field}[{op}]={pick(rng, ('', '1', 'a', 'null', '.*', '^adm'))}"
    if roll < 0.8:
        js = pick(rng, (
            "this.password.match(/.*/)", "sleep(5000)", "1==1", "this.username=='admin'", "function(){return true}",
            "Object.keys(this)[0].match('^.{" + str(rng.randint(1, 9)) + "}')", "this.constructor.constructor('return process')()",
            "d=new Date();do{c=new Date();}while(c-d<5000)", "return true", "db.getCollectionNames()",
        ))
        q = pick(rng, ("'", '"', ""))
        return "where", pick(rng, (f'{{"$where":"{js}"}}', f"{q}; return {pick(rng, ('true', '1==1', js))}; var x={q}", f"{q} || {js} || {q}", f"$where={js}", f"{q}, $where: {q}{js}", f"{q} && this.password.match(/^{rand_ident(rng)[:3]}/)//"))
    return "operator", pick(rng, (f"{op}", f"[{op}]", f'{{"{op}": ""}}', f"db.{rand_ident(rng)}.find({{\"{op}\":1}})", f"{{$gt: ''}}", f"';db.dropDatabase();'", f"[$regex]=.*&{field}[$ne]=x", f"{{\"$function\":{{\"body\":\"function(){{return 1}}\",\"args\":[],\"lang\":\"js\"}}}}"))


def _ldap(rng: random.Random) -> tuple[str, str]:
    attr = pick(rng, ("uid", "cn", "objectClass", "mail", "userPassword", "sn", "givenName", "memberOf", "sAMAccountName", "description", "ou"))
    user = pick(rng, ("admin", "*", rand_ident(rng), "administrator", ""))
    forms = (
        ("wildcard", f"*)({attr}=*"),
        ("breakout", f"{user})({attr}=*))"),
        ("breakout", f"{user})(|({attr}=*)"),
        ("breakout", f"*)(|(objectClass=*)"),
        ("breakout", f"{user})(&)"),
        ("breakout", f"{user})(!(&(1=0"),
        ("breakout", f"*)(uid=*))(|(uid=*"),
        ("breakout", f"{user}))(|(cn=*"),
        ("breakout", f"*)(%26"),
        ("breakout", f"{user})({attr}>=z"),
        ("breakout", f"*))%00"),
        ("breakout", f"{user})(userPassword=*)"),
        ("filter", f"(&({attr}={user})(userPassword=*))"),
        ("filter", f"(|({attr}=*)(objectClass=*))"),
        ("filter", f"(&(objectClass=user)({attr}=*{rand_ident(rng)}*))"),
        ("breakout", f"x)(|(password={pick(rng, 'abcdefgh')}*)"),
        ("breakout", f"{user})(cn={pick(rng, 'abcdef')}*"),
        ("breakout", f"{user}\\29\\28{attr}=*"),
    )
    return pick(rng, forms)


def generate_nosql(rng: random.Random, n: int) -> list[Sample]:
    out = []
    for _ in range(n):
        fam, text = _nosql(rng)
        out.append(Sample(encode_layer(rng, text), "nosqli", fam))
    return out


def generate_ldap(rng: random.Random, n: int) -> list[Sample]:
    out = []
    for _ in range(n):
        fam, text = _ldap(rng)
        out.append(Sample(encode_layer(rng, text), "ldapi", fam))
    return out
