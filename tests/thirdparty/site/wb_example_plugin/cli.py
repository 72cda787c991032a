def add_arguments(parser) -> None:
    parser.add_argument("file")
    parser.add_argument("--threshold-db", type=float, default=-30.0)


def run(args) -> int:
    from workbench.core.audio_io import load_audio

    from .plugin import find_peaks

    audio = load_audio(args.file)
    times, levels = find_peaks(audio.mono_samples, audio.sample_rate, args.threshold_db)
    for t, v in zip(times, levels):
        print(f"peak {t:.2f} s {v:.1f} dB")
    return 0
