#!/usr/bin/env python
from fangyi.__main__ import main

if __name__ == "__main__":
    main()
