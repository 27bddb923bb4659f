"""A peer on MTD: anomalib's DRAEM trained from scratch on the fixed split.

Run with the python of a separate virtual environment that has anomalib
(anomalib is *not* a dependency of mmdefect; this script never imports
mmdefect)::

    python3 -m venv /work/venv-anomalib
    /work/venv-anomalib/bin/pip install torch torchvision anomalib==2.7.0
    OMP_NUM_THREADS=1 nice -n 15 /work/venv-anomalib/bin/python \\
        tools/benchmarks/anomalib_draem_mtd.py \\
        --data-root ../shared/data/MTD --work-dir /tmp/draem_mtd \\
        --max-epochs 700 --max-minutes 20 \\
        --recon-width 32 --disc-width 16 \\
        --score-with .venv/bin/python

Cost: DRAEM as published (reconstructive width 128, discriminative 64,
97.4 M parameters) needs about 396 GFLOP per 256x256 forward pass, so on
one CPU core a training image costs tens of seconds and predicting the 583
test images alone takes about an hour; ``--recon-width``/``--disc-width``
narrow the two U-Nets (32/16: 6.1 M parameters, 25 GFLOP) to fit a CPU
budget. That changes only the channel widths, not the method.

What it does:

1. Builds the MTD fixed split (``splits/train.txt``: 761 defect-free images
   for training; ``splits/test.txt``: 583 test images; mask ``NAME.png``
   beside ``NAME.jpg``, defect = mask value > 127) as a torch ``Dataset``
   of anomalib ``ImageItem`` s collated into ``ImageBatch`` es. anomalib's
   ``Folder`` datamodule is not used: it reads split *folders* rather than
   list files, and its ``read_mask`` takes every value > 0 as defect, which
   would grow MTD's soft-edged masks.
2. Squares the images like mmdefect's MTD configs
   (``configs/_base_/datasets/anomaly_pipelines.py``: mmcv's ``Resize(
   keep_ratio=True)`` + ``PadIgnoreLabels``): the longer side becomes
   ``--size`` keeping the aspect ratio (bilinear; masks nearest, rounded as
   mmcv), then bottom/right padding to ``size x size`` by reflection
   (``--pad reflect``, default, cv2's ``BORDER_REFLECT_101`` as mmcv's
   ``'reflect'``) or with zeros (``--pad zero``, the CAT paper);
   ``--pad resize`` stretches to ``size x size`` without padding. Padded
   pixels get the label 255 and are ignored by the pixel metrics (the image
   score, the map's max, sees them). Greyscale images are repeated to three
   channels (anomalib's ``read_image`` does the same).
3. Trains ``anomalib.models.Draem`` through ``anomalib.engine.Engine`` for at
   most ``--max-epochs`` epochs and ``--max-minutes`` minutes of training
   (Lightning's ``max_time``, checked after every step). DRAEM in anomalib
   2.7.0 takes its anomaly textures from DTD and downloads it when
   ``dtd_dir`` does not exist; there is no network here, so ``dtd_dir``
   points to an empty folder and anomalib's Perlin generator falls back to
   Perlin-noise textures (``anomaly_source_path`` without images). No
   pretrained weights are used anywhere. The post-processor (min-max
   normalisation), evaluator and visualiser are disabled: the raw maps are
   scored by mmdefect.
4. Predicts the anomaly map (softmax of DRAEM's discriminative network,
   ``size x size``) of every test image with ``Engine.predict`` and writes
   ``maps`` (float32, N x size x size), ``masks`` (uint8: 0 normal, 1 defect,
   255 padding), ``names`` and the run settings to ``--out`` (refused if it
   exists).
5. With ``--score-with PYTHON`` runs ``score_maps.py`` (beside this file)
   with that interpreter, i.e. mmdefect's ``AnomalyMetric`` in mmdefect's
   environment.
"""
import argparse
import json
import os
import os.path as osp
import subprocess
import sys
import time

import cv2
import numpy as np

PAD_MODES = ('zero', 'reflect', 'resize')


def read_split(data_root, split, limit=None):
    """Names (``MT_Class/Imgs/NAME``) of ``splits/<split>.txt``."""
    path = osp.join(data_root, 'splits', f'{split}.txt')
    if not osp.isfile(path):
        raise FileNotFoundError(f'MTD split list {path} not found; expected '
                                'splits/train.txt and splits/test.txt '
                                'under --data-root')
    with open(path) as f:
        names = [line.strip() for line in f if line.strip()]
    if not names:
        raise ValueError(f'MTD split list {path} is empty')
    return names[:limit] if limit else names


def square(array, size, pad, interpolation):
    """Fit ``array`` (H, W) into ``size x size``.

    ``'zero'``/``'reflect'``: the longer side becomes ``size`` (aspect ratio
    kept, rounded as mmcv's ``rescale_size``), then bottom/right padding.

    Returns:
        tuple: the squared array and a bool mask of the pixels that come
        from the image (False on padding).
    """
    h, w = array.shape[:2]
    if pad == 'resize':
        out = cv2.resize(array, (size, size), interpolation=interpolation)
        return out, np.ones((size, size), bool)
    scale = size / max(h, w)
    new_w = min(size, max(1, int(w * scale + 0.5)))
    new_h = min(size, max(1, int(h * scale + 0.5)))
    resized = cv2.resize(array, (new_w, new_h), interpolation=interpolation)
    border = (cv2.BORDER_REFLECT_101
              if pad == 'reflect' else cv2.BORDER_CONSTANT)
    out = cv2.copyMakeBorder(resized, 0, size - new_h, 0, size - new_w,
                             border, value=0)
    valid = np.zeros((size, size), bool)
    valid[:new_h, :new_w] = True
    return out, valid


def load_pair(data_root, name, size, pad):
    """The squared image (3, size, size) float32 in [0, 1] and labels."""
    img_path = osp.join(data_root, name + '.jpg')
    mask_path = osp.join(data_root, name + '.png')
    image = cv2.imread(img_path, cv2.IMREAD_GRAYSCALE)
    if image is None:
        raise FileNotFoundError(f'cannot read MTD image {img_path}')
    mask = cv2.imread(mask_path, cv2.IMREAD_GRAYSCALE)
    if mask is None:
        raise FileNotFoundError(
            f'cannot read the mask {mask_path} of {img_path}')
    if mask.shape != image.shape:
        raise ValueError(f'mask {mask_path} is {mask.shape[::-1]} (WxH) but '
                         f'its image is {image.shape[::-1]}')
    image, _ = square(image, size, pad, cv2.INTER_LINEAR)
    labels, valid = square((mask > 127).astype(np.uint8), size, pad,
                           cv2.INTER_NEAREST)
    labels[~valid] = 255
    image = np.repeat(image[None].astype(np.float32) / 255.0, 3, axis=0)
    return image, labels


def build_dataset(data_root, names, size, pad):
    """The split as a torch Dataset of anomalib ``ImageItem`` s (imports
    torch/anomalib lazily, so ``--help`` works without them)."""
    import torch
    from anomalib.data import ImageBatch, ImageItem
    from torch.utils.data import Dataset

    class _MTDSplit(Dataset):
        name = 'MTD'
        category = 'fixed_split'

        def __len__(self):
            return len(names)

        def __getitem__(self, index):
            image, labels = load_pair(data_root, names[index], size, pad)
            defect = labels == 1
            return ImageItem(
                image=torch.from_numpy(image),
                gt_label=torch.tensor(int(defect.any())),
                gt_mask=torch.from_numpy(defect),
                image_path=osp.join(data_root, names[index] + '.jpg'))

        @property
        def collate_fn(self):
            return ImageBatch.collate

    return _MTDSplit()


def parse_args(argv=None):
    parser = argparse.ArgumentParser(
        description='Train anomalib DRAEM on the MTD fixed split, save its '
        'test anomaly maps and optionally score them with mmdefect.')
    parser.add_argument('--data-root', default='../shared/data/MTD')
    parser.add_argument('--work-dir', default='work_dirs/draem_mtd',
                        help='Engine root dir and empty DTD stand-in')
    parser.add_argument('--out', help='npz of the test maps (default: '
                        '<work-dir>/draem_mtd_maps.npz); never overwritten')
    parser.add_argument('--size', type=int, default=256)
    parser.add_argument('--pad', choices=PAD_MODES, default='reflect',
                        help="reflect: as mmdefect's MTD configs; zero: "
                        'the CAT paper; resize: plain stretch')
    parser.add_argument('--max-epochs', type=int, default=700,
                        help='anomalib DRAEM default: 700')
    parser.add_argument('--max-minutes', type=float, default=None,
                        help='training wall-clock budget (prediction '
                        'comes on top)')
    parser.add_argument('--batch-size', type=int, default=8,
                        help='anomalib DRAEM default: 8')
    parser.add_argument('--limit-train', type=int, default=None,
                        help='first N training images (smoke runs)')
    parser.add_argument('--limit-test', type=int, default=None,
                        help='first N test images of each kind, defect-free '
                        'and defective (smoke runs)')
    parser.add_argument('--recon-width', type=int, default=128,
                        help='base width of the reconstructive network '
                        '(DRAEM: 128)')
    parser.add_argument('--disc-width', type=int, default=64,
                        help='base width of the discriminative network '
                        '(DRAEM: 64)')
    parser.add_argument('--seed', type=int, default=0)
    parser.add_argument('--workers', type=int, default=0)
    parser.add_argument('--log-every', type=int, default=5,
                        help='print the loss every N steps')
    parser.add_argument('--score-with', metavar='PYTHON',
                        help='python of the mmdefect environment; runs '
                        'score_maps.py on the saved npz')
    args = parser.parse_args(argv)
    if args.size < 32 or args.size % 32:
        parser.error(f'--size must be a multiple of 32, got {args.size}')
    args.out = args.out or osp.join(args.work_dir, 'draem_mtd_maps.npz')
    if osp.exists(args.out):
        parser.error(f'{args.out} exists; choose another --out (results '
                     'are never overwritten)')
    return args


def test_names(data_root, limit):
    names = read_split(data_root, 'test')
    if not limit:
        return names
    free = [n for n in names if n.startswith('MT_Free/')][:limit]
    defective = [n for n in names if not n.startswith('MT_Free/')][:limit]
    return free + defective


def make_logger_callback(log_every):
    from lightning.pytorch import Callback

    class _Progress(Callback):
        """Prints loss, steps and elapsed time (barebones has no logger)."""

        def on_train_start(self, trainer, pl_module):
            self.start = time.time()
            self.losses = []

        def on_train_batch_end(self, trainer, pl_module, outputs, batch,
                               batch_idx):
            self.losses.append(float(outputs['loss']))
            step = trainer.global_step
            if step % log_every == 0:
                print(f'epoch {trainer.current_epoch} step {step} loss '
                      f'{np.mean(self.losses[-log_every:]):.4f} elapsed '
                      f'{time.time() - self.start:.0f} s', flush=True)

        def on_train_epoch_end(self, trainer, pl_module):
            print(f'epoch {trainer.current_epoch} done at '
                  f'{time.time() - self.start:.0f} s', flush=True)

    return _Progress()


def main(argv=None):
    args = parse_args(argv)
    import torch
    from anomalib.engine import Engine
    from anomalib.models import Draem
    from anomalib.models.image.draem.torch_model import (
        DiscriminativeSubNetwork, ReconstructiveSubNetwork)
    from lightning.pytorch import seed_everything
    from torch.utils.data import DataLoader

    threads = int(os.environ.get('OMP_NUM_THREADS', '0') or 0)
    if threads:
        torch.set_num_threads(threads)
    seed_everything(args.seed, workers=True)
    os.makedirs(args.work_dir, exist_ok=True)
    out_dir = osp.dirname(osp.abspath(args.out))
    os.makedirs(out_dir, exist_ok=True)
    dtd_stand_in = osp.join(args.work_dir, 'no_dtd')
    os.makedirs(dtd_stand_in, exist_ok=True)
    if os.listdir(dtd_stand_in):
        raise RuntimeError(f'{dtd_stand_in} must stay empty (it makes DRAEM '
                           'use Perlin-noise anomaly textures)')

    train_names = read_split(args.data_root, 'train', args.limit_train)
    names = test_names(args.data_root, args.limit_test)
    train_set = build_dataset(args.data_root, train_names, args.size,
                              args.pad)
    test_set = build_dataset(args.data_root, names, args.size, args.pad)
    train_loader = DataLoader(
        train_set, batch_size=args.batch_size, shuffle=True,
        num_workers=args.workers, collate_fn=train_set.collate_fn,
        drop_last=len(train_set) > args.batch_size)
    test_loader = DataLoader(
        test_set, batch_size=args.batch_size, shuffle=False,
        num_workers=args.workers, collate_fn=test_set.collate_fn)

    model = Draem(dtd_dir=dtd_stand_in, pre_processor=False,
                  post_processor=False, evaluator=False, visualizer=False)
    if args.recon_width != 128:
        model.model.reconstructive_subnetwork = ReconstructiveSubNetwork(
            base_width=args.recon_width)
    if args.disc_width != 64:
        model.model.discriminative_subnetwork = DiscriminativeSubNetwork(
            in_channels=6, out_channels=2, base_width=args.disc_width)
    num_params = sum(p.numel() for p in model.model.parameters())
    print(f'DRAEM: {num_params / 1e6:.1f} M parameters, '
          f'{len(train_set)} training and {len(test_set)} test images, '
          f'{args.size}x{args.size} ({args.pad}), torch threads '
          f'{torch.get_num_threads()}', flush=True)

    trainer_kwargs = dict(
        accelerator='cpu', devices=1, max_epochs=args.max_epochs,
        barebones=True, default_root_dir=args.work_dir,
        callbacks=[make_logger_callback(args.log_every)],
        deterministic=False)
    if args.max_minutes:
        trainer_kwargs['max_time'] = dict(minutes=args.max_minutes)
    engine = Engine(**trainer_kwargs)
    start, cpu_start = time.time(), time.process_time()
    engine.fit(model, train_dataloaders=train_loader)
    train_seconds = time.time() - start
    train_cpu = time.process_time() - cpu_start
    # Lightning counts an epoch cut short by max_time as done, so the epochs
    # trained are taken from the steps (drop_last: full batches only).
    steps = engine.trainer.global_step
    seen = steps * min(args.batch_size, len(train_set))
    epochs = seen / len(train_set)
    print(f'trained {steps} steps ({seen} images, {epochs:.2f} epochs) in '
          f'{train_seconds:.0f} s (CPU time '
          f'{train_cpu:.0f} s)', flush=True)

    start, cpu_start = time.time(), time.process_time()
    batches = engine.predict(model, dataloaders=test_loader,
                             return_predictions=True)
    predict_seconds = time.time() - start
    predict_cpu = time.process_time() - cpu_start
    maps = torch.cat([b.anomaly_map.reshape(-1, args.size, args.size)
                      for b in batches]).float().numpy()
    masks = np.stack([
        load_pair(args.data_root, name, args.size, args.pad)[1]
        for name in names
    ])
    if maps.shape != masks.shape:
        raise RuntimeError(f'{maps.shape[0]} maps of {maps.shape[1:]} for '
                           f'{masks.shape[0]} masks of {masks.shape[1:]}')
    settings = dict(
        model='anomalib.models.Draem', anomalib_version=_version('anomalib'),
        torch_version=torch.__version__, size=args.size, pad=args.pad,
        batch_size=args.batch_size, max_epochs=args.max_epochs,
        max_minutes=args.max_minutes, recon_width=args.recon_width,
        disc_width=args.disc_width, seed=args.seed,
        train_images=len(train_set), steps=steps,
        images_seen=seen, epochs=round(epochs, 3),
        train_seconds=round(train_seconds, 1),
        predict_seconds=round(predict_seconds, 1),
        train_cpu_seconds=round(train_cpu, 1),
        predict_cpu_seconds=round(predict_cpu, 1),
        torch_threads=torch.get_num_threads(),
        anomaly_source='perlin noise (no DTD)')
    with open(args.out, 'xb') as f:
        np.savez_compressed(
            f, maps=maps.astype(np.float32), masks=masks.astype(np.uint8),
            names=np.array(names), settings=json.dumps(settings))
    print(f'predicted {len(names)} maps in {predict_seconds:.0f} s (CPU '
          f'time {predict_cpu:.0f} s); saved {args.out}', flush=True)
    print('settings ' + json.dumps(settings), flush=True)

    if args.score_with:
        score_script = osp.join(osp.dirname(osp.abspath(__file__)),
                                'score_maps.py')
        result = subprocess.run([args.score_with, score_script, args.out],
                                check=False)
        return result.returncode
    return 0


def _version(package):
    from importlib.metadata import version
    return version(package)


if __name__ == '__main__':
    sys.exit(main())
