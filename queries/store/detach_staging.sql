detach staging;
