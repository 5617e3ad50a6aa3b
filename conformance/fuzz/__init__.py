"""Differential fuzzing: generated programs run on several runners, divergences shrunk and saved.

Modules, one job each:

- ``leaves``: literals and bounded constants every grammar draws from;
- ``expressions``, ``statements``, ``formatting``: the program grammars
  (Hypothesis strategies), in increasing reach;
- ``program``: the ``Program`` value and how it is rendered as source;
- ``classify``: which differences are known (documented) and which are new;
- ``signature``: one key per kind of divergence, for deduplication;
- ``save``: a shrunk divergence as a YAML regression case;
- ``driver``: running batches of programs and the Hypothesis search loop;
- ``profiles``: the Hypothesis settings profiles (``ci``, ``deep``, ``dev``).

Hypothesis is only needed here, never by the corpus run.
"""
