detach current;
