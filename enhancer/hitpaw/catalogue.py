"""The vendor's documented models, as seeded into the editable catalogue."""

CATALOGUE = [
    # name, display name, scale, kind, good for
    ("general_2x", "General Enhance", 2, "standard", "Everyday photos: products, places, anything"),
    ("general_4x", "General Enhance", 4, "standard", "Everyday photos that need to get much bigger"),
    ("face_2x", "Face Clear", 2, "standard", "Portraits and group photos: crisp, clear faces"),
    ("face_4x", "Face Clear", 4, "standard", "Small or distant faces that need to get much bigger"),
    ("face_v2_2x", "Face Natural", 2, "standard", "Portraits where skin should look natural, not retouched"),
    ("face_v2_4x", "Face Natural", 4, "standard", "Small portraits, enlarged with natural-looking skin"),
    (
        "high_fidelity_2x",
        "High Fidelity",
        2,
        "standard",
        "Upscaling that stays true to every detail of the original",
    ),
    ("high_fidelity_4x", "High Fidelity", 4, "standard", "Large enlargements that stay true to the original"),
    (
        "sharpen_denoise",
        "Sharp Denoise",
        1,
        "standard",
        "Blurry or grainy photos: sharpens and cleans noise, same size",
    ),
    (
        "detail_denoise",
        "Detail Denoise",
        1,
        "standard",
        "Noisy low-light photos: cleans noise, keeps fine detail",
    ),
    (
        "generative_portrait",
        "Generative Portrait",
        2,
        "generative",
        "Badly damaged or tiny portraits: AI rebuilds the face",
    ),
    (
        "generative",
        "Generative Enhance",
        2,
        "generative",
        "Very low-quality photos: AI redraws missing detail",
    ),
]


def seed_catalogue(enhance_model) -> None:
    """Create or refresh the documented models (`enhance_model` may be a migration's historical model)."""
    for position, (name, display, scale, kind, good_for) in enumerate(CATALOGUE):
        enhance_model.objects.update_or_create(
            name=name,
            defaults={
                "display_name": display,
                "scale": scale,
                "kind": kind,
                "good_for": good_for,
                "position": position,
            },
        )
