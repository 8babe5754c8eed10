"""Programme: rooms, time slots, pitches, stars, the grid editor and the public live grid."""
