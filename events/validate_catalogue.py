#!/usr/bin/python3
"""Checks event catalogue files against events.schema.json (the build runs this).

Usage: validate_catalogue.py SCHEMA FILE...
Prints one line per problem, naming the file and the JSON pointer, and exits 1
if any file is invalid. Needs Debian's python3-jsonschema.
"""
import json
import sys

try:
    import jsonschema
except ImportError:
    sys.exit("validate_catalogue.py: python3-jsonschema is missing (apt-get install python3-jsonschema)")


def pointer(path):
    return "/" + "/".join(str(p) for p in path) if path else "/"


def main(argv):
    if len(argv) < 3:
        sys.exit(__doc__)
    with open(argv[1], encoding="utf-8") as f:
        schema = json.load(f)
    jsonschema.Draft202012Validator.check_schema(schema)
    validator = jsonschema.Draft202012Validator(schema)
    failed = False
    for name in argv[2:]:
        try:
            with open(name, encoding="utf-8") as f:
                document = json.load(f)
        except (OSError, ValueError) as e:
            print(f"{name}: {e}", file=sys.stderr)
            failed = True
            continue
        for error in sorted(validator.iter_errors(document), key=lambda e: list(e.absolute_path)):
            print(f"{name}: {pointer(error.absolute_path)}: {error.message}", file=sys.stderr)
            failed = True
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
