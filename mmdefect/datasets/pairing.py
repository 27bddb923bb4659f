"""How an inspected image finds its reference in a folder.

One rule, used by :class:`~mmdefect.datasets.BasePairedDataset` (folder
layout without an explicit ``ref_suffix``) and by ``DefectInferencer`` on a
pair of folders: the reference of ``<img_dir>/<rel>`` is
``<ref_dir>/<rel>`` (the same relative path), or else the only image in
``<ref_dir>`` with the same relative folder and file stem (``a.png`` pairs
with ``a.jpg``). Several same-stem candidates make the pair ambiguous.
"""
import os.path as osp
from typing import Dict, List, NamedTuple, Optional, Sequence

from mmengine import fileio

IMG_EXTENSIONS = ('.png', '.jpg', '.jpeg', '.bmp', '.tif', '.tiff', '.webp')


class AmbiguousReferenceError(ValueError):
    """Several references share an inspected image's relative stem."""


class FolderPair(NamedTuple):
    """One inspected image of a folder and its reference.

    ``error`` says why the pair has no usable reference (``ref`` is then
    the same-relative-path file that was looked for).
    """

    rel: str
    img: str
    ref: str
    error: Optional[str] = None


def list_images(folder: str,
                extensions: Sequence[str] = IMG_EXTENSIONS,
                backend_args: Optional[dict] = None) -> List[str]:
    """Sorted relative paths of the images under ``folder`` (recursive,
    extension case ignored); ``[]`` if the folder does not exist or its
    backend cannot list folders."""
    suffixes = tuple(ext.lower() for ext in extensions)
    try:
        if not fileio.isdir(folder, backend_args=backend_args):
            return []
        return sorted(rel for rel in fileio.list_dir_or_file(
            folder, list_dir=False, recursive=True, backend_args=backend_args)
                      if rel.lower().endswith(suffixes))
    except NotImplementedError:  # a backend that cannot list (e.g. HTTP)
        return []


class ReferenceFinder:
    """The references available under ``ref_dir``, indexed for the rule of
    this module.

    Args:
        ref_dir (str): The reference folder.
        extensions (Sequence[str]): Image extensions considered.
        backend_args (dict, optional): mmengine file backend arguments.
    """

    def __init__(self,
                 ref_dir: str,
                 extensions: Sequence[str] = IMG_EXTENSIONS,
                 backend_args: Optional[dict] = None) -> None:
        self.ref_dir = ref_dir
        self.files = set(list_images(ref_dir, extensions, backend_args))
        self.by_stem: Dict[str, List[str]] = {}
        for rel in sorted(self.files):
            self.by_stem.setdefault(osp.splitext(rel)[0], []).append(rel)

    def find(self, rel: str) -> str:
        """The reference path of the inspected image at relative path
        ``rel``; the same-relative-path file (possibly missing) when no
        same-stem image exists.

        Raises:
            AmbiguousReferenceError: Several same-stem candidates.
        """
        if rel in self.files:
            return osp.join(self.ref_dir, rel)
        found = self.by_stem.get(osp.splitext(rel)[0], [])
        if len(found) > 1:
            listed = ', '.join(osp.join(self.ref_dir, f) for f in found)
            raise AmbiguousReferenceError(
                f'the reference of {rel} is ambiguous: {listed}; keep one '
                'of them')
        return osp.join(self.ref_dir, found[0] if found else rel)


def pair_folders(img_dir: str,
                 ref_dir: str,
                 extensions: Sequence[str] = IMG_EXTENSIONS,
                 backend_args: Optional[dict] = None) -> List[FolderPair]:
    """Pair every image under ``img_dir`` with its reference.

    Returns:
        list[FolderPair]: One entry per inspected image, sorted by relative
        path; a missing or ambiguous reference is an entry with ``error``
        naming the inspected file.

    Raises:
        ValueError: ``img_dir`` holds no image.
    """
    rels = list_images(img_dir, extensions, backend_args)
    if not rels:
        raise ValueError(f'no images ({", ".join(extensions)}) found in '
                         f'{img_dir}')
    finder = ReferenceFinder(ref_dir, extensions, backend_args)
    pairs = []
    for rel in rels:
        img, error = osp.join(img_dir, rel), None
        try:
            ref = finder.find(rel)
        except AmbiguousReferenceError as err:
            ref, error = osp.join(ref_dir, rel), f'{img}: {err}'
        if error is None and osp.relpath(ref, ref_dir) not in finder.files:
            error = (f'no reference for {img}: expected {ref} (or '
                     f'{osp.splitext(ref)[0]} with another image extension)')
        pairs.append(FolderPair(rel, img, ref, error))
    return pairs
