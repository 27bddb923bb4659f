"""Write the tiny paired dataset used by the example config and the tests."""
import argparse

from mmdefect.testing import make_toy_paired_dataset


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument('out', help='output folder (must be empty or absent)')
    parser.add_argument('--num-train', type=int, default=8)
    parser.add_argument('--num-test', type=int, default=4)
    parser.add_argument('--size', type=int, default=64)
    parser.add_argument('--seed', type=int, default=0)
    args = parser.parse_args(argv)
    counts = make_toy_paired_dataset(args.out, args.num_train, args.num_test,
                                     args.size, args.seed)
    print(f'wrote {counts} paired samples to {args.out}')


if __name__ == '__main__':
    main()
