"""Class presets: named event classes, each the union of AudioSet classes (a class's score is the highest of
its AudioSet members' scores in a window).

- "domestic": the 10 DESED classes (DCASE Task 4) mapped to AudioSet names.
- "street": emergency sirens, car horns, engines and traffic, speech, shouting, dogs, bicycle bells, footsteps.
- "speech activity": speech alone (refined by the voice-activity plugin when present).
"""

from __future__ import annotations

from workbench.core.errors import InvalidParameterError

SPEECH = ("Speech", "Conversation", "Narration, monologue", "Child speech, kid speaking")

PRESETS: dict[str, dict[str, tuple[str, ...]]] = {
    "street": {
        "Siren": ("Siren", "Civil defense siren", "Police car (siren)", "Ambulance (siren)",
                  "Fire engine, fire truck (siren)", "Emergency vehicle"),
        "Car horn": ("Vehicle horn, car horn, honking", "Air horn, truck horn", "Toot"),
        "Engine": ("Engine", "Car", "Truck", "Bus", "Motorcycle", "Traffic noise, roadway noise",
                   "Car passing by", "Motor vehicle (road)", "Medium engine (mid frequency)",
                   "Heavy engine (low frequency)"),
        "Speech": SPEECH,
        "Shout": ("Shout", "Yell", "Children shouting", "Screaming"),
        "Dog": ("Dog", "Bark", "Bow-wow", "Yip", "Growling"),
        "Bicycle bell": ("Bicycle bell",),
        "Footsteps": ("Walk, footsteps", "Run"),
    },
    "domestic": {  # DESED names
        "Alarm_bell_ringing": ("Alarm", "Alarm clock", "Bell", "Doorbell", "Ringtone", "Telephone bell ringing",
                               "Smoke detector, smoke alarm", "Fire alarm", "Buzzer"),
        "Blender": ("Blender",),
        "Cat": ("Cat", "Meow", "Purr", "Caterwaul", "Hiss"),
        "Dishes": ("Dishes, pots, and pans", "Cutlery, silverware"),
        "Dog": ("Dog", "Bark", "Bow-wow", "Yip", "Growling", "Whimper (dog)"),
        "Electric_shaver_toothbrush": ("Electric shaver, electric razor", "Electric toothbrush"),
        "Frying": ("Frying (food)", "Sizzle"),
        "Running_water": ("Water tap, faucet", "Sink (filling or washing)", "Bathtub (filling or washing)"),
        "Speech": SPEECH,
        "Vacuum_cleaner": ("Vacuum cleaner",),
    },
    "speech activity": {"Speech": SPEECH},
}
CHOICES = ("top classes", "named classes") + tuple(PRESETS)


def class_groups(preset: str, labels: list[str]) -> dict[str, list[int]]:
    """{event class: AudioSet indices} of a preset, checked against the model's class names."""
    if preset not in PRESETS:
        raise InvalidParameterError(f"Unknown preset '{preset}'; choose one of: {', '.join(CHOICES)}")
    index = {name: i for i, name in enumerate(labels)}
    groups = {}
    for group, names in PRESETS[preset].items():
        missing = [n for n in names if n not in index]
        if missing:  # a preset naming a class the model lacks is a bug here, not a user error
            raise ValueError(f"preset {preset}/{group}: not AudioSet classes: {missing}")
        groups[group] = [index[n] for n in names]
    return groups
