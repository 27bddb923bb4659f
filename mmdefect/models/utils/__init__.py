from .siamese_features import SiameseFeatures

__all__ = ['SiameseFeatures']
