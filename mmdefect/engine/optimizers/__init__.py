from .siamese_optim_wrapper_constructor import SiameseOptimWrapperConstructor

__all__ = ['SiameseOptimWrapperConstructor']
