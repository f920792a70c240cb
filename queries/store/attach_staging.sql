-- A scratch database on disk for staging files: big inputs need little memory, and it is never kept.
attach $path as staging;
