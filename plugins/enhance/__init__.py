"""Speech enhancement: noise removed from speech (RNNoise), on files and on the live microphone."""
