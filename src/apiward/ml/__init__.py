"""Machine learning: attack-value generators, stateless features, the attack model, training.

- `apiward.ml.model.AttackModel`: ``load(path)`` (raises `ModelError`), ``categories``,
  ``predict_proba(values)`` / ``predict_proba_normalized(views)`` -> (n, categories) probabilities,
  ``thresholds``; `default_model_path()` is the shipped ``models/apiward-attack-model.npz``.
- `apiward.ml.features`: hashed character n-grams of a value's normalised views (numpy only).
- `apiward.ml.generators`: seeded grammars of attack values per category and of tricky benign values.
- `apiward.ml.training.train` (used by ``apiward train``) and `apiward.ml.card` (MODEL_CARD.md).

The gateway imports only `model` and `features`; training pulls in scikit-learn and scipy.
"""
