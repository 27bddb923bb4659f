from .msf_fpn import MSFFPN

__all__ = ['MSFFPN']
